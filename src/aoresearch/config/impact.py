"""The ``impact`` section of ``params.yaml`` as a frozen record, parsed once at the stage entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aoresearch.errors import ParameterError

__all__ = ["ImpactConfig", "parse_impact_config"]


@dataclass(frozen=True)
class ImpactConfig:
    """Settings of the per-pilot impact evaluation (``params.yaml: impact``).

    Attributes
    ----------
    outcomes : tuple of str
        Outcome rate columns evaluated; an outcome without data for a pilot is skipped with a notice.
    headline_outcome : str
        The outcome the reports' answer and the pooled summary on the index page are about.
    fit_start_year : int
        Earliest year any fit uses: the real fit and its backtests (rolling-origin in-time
        placebos that measure the pilot's own out-of-sample error) start no earlier.
    min_pre_years : int
        Fewest pre-adoption years with data from ``fit_start_year``.
    pre_years : int
        Pre-adoption years in each synthetic-control and DiD fit (the real fit and every
        backtest use windows of this length, so backtest errors measure the same estimator).
    donor_size_ratio : float
        Comparable donors have between 1/ratio and ratio times the pilot's children.
    max_donors : int
        The synthetic control uses the ``max_donors`` size-class donors with the nearest
        pre-period outcome paths.
    min_donors : int
        Fewest size-class donors accepted (else the outcome is skipped with the reason).
    penalty : float
        Weight penalty of the synthetic control (``_sc_weights.fit_weights_outcome``).
    intercept : bool
        Synthetic control with an intercept: after fitting the weights, shift the synthetic
        series by the fit window's mean gap (``_sc_weights.intercept_shift``), in the pilot's
        fit, its backtests, placebos and leave-one-out refits alike.
    min_backtests : int
        Fewest backtests for an interval, a p-value and a minimum detectable effect.
    min_placebos : int
        Fewest in-space placebos for the RMSPE-ratio rank test to be reported.
    donor_min_children : int
        Donors must have more children aged 0-17 than this in every year of the window
        (tiny municipalities have rates dominated by count noise).
    placebo_pre_mspe_cutoff : float or None
        In-space placebos whose pre-MSPE exceeds this multiple of the treated unit's are
        left out of the p-value (Abadie et al. 2010 use 5); None keeps all. With a regularised
        fit the pilot's pre-MSPE is not near zero, but keep None unless you know why: a
        relative cutoff drops almost every placebo when the pilot's fit is very close.
    in_time_placebo_year : int
        Fake adoption year of the in-time placebo.
    alpha, power : float
    horizons : tuple of int
        Post-adoption horizons (years) of the monitoring plan's minimum detectable effects.
    event_window : (int, int)
        Event-time window of the event studies.
    control_group : {"nevertreated", "notyettreated"}
    covid_years : tuple of int
        Years flagged as a caveat (services and registers disrupted).
    n_jobs : int
        joblib workers for placebo fits.
    """

    outcomes: tuple[str, ...]
    headline_outcome: str
    fit_start_year: int
    min_pre_years: int
    pre_years: int
    donor_min_children: int
    donor_size_ratio: float
    max_donors: int
    min_donors: int
    penalty: float
    intercept: bool
    min_backtests: int
    min_placebos: int
    placebo_pre_mspe_cutoff: float | None
    in_time_placebo_year: int
    alpha: float
    power: float
    horizons: tuple[int, ...]
    event_window: tuple[int, int]
    control_group: str
    covid_years: tuple[int, ...]
    n_jobs: int


def parse_impact_config(section: Mapping[str, Any] | None, origin: str = "params.yaml") -> ImpactConfig:
    """Build :class:`ImpactConfig` from the ``impact`` mapping of ``params.yaml``.

    Raises
    ------
    ParameterError
        Section missing, or a key missing or of the wrong type; the message names the key.
    """
    if not isinstance(section, Mapping):
        raise ParameterError(f"{origin}: missing mapping 'impact' (settings of the impact stage).")
    placebo = _get(section, "placebo", origin)
    cutoff = _get(placebo, "pre_mspe_cutoff", origin, "placebo.")
    window = tuple(int(v) for v in _get(section, "event_window", origin))
    if len(window) != 2 or window[0] >= window[1]:
        raise ParameterError(f"{origin}: 'impact.event_window' must be two ints [low, high] with low < high. Got {window!r}.")
    control = str(_get(section, "control_group", origin))
    if control not in ("nevertreated", "notyettreated"):
        raise ParameterError(f"{origin}: 'impact.control_group' must be 'nevertreated' or 'notyettreated'. Got {control!r}.")
    donors = _get(section, "donors", origin)
    config = ImpactConfig(
        outcomes=tuple(str(o) for o in _get(section, "outcomes", origin)),
        headline_outcome=str(_get(section, "headline_outcome", origin)),
        fit_start_year=int(_get(section, "fit_start_year", origin)),
        min_pre_years=int(_get(section, "min_pre_years", origin)),
        pre_years=int(_get(section, "pre_years", origin)),
        donor_min_children=int(_get(section, "donor_min_children", origin)),
        donor_size_ratio=float(_get(donors, "size_ratio", origin, "donors.")),
        max_donors=int(_get(donors, "max_donors", origin, "donors.")),
        min_donors=int(_get(donors, "min_donors", origin, "donors.")),
        penalty=float(_get(section, "penalty", origin)),
        intercept=_bool(section, "intercept", origin),
        min_backtests=int(_get(section, "min_backtests", origin)),
        min_placebos=int(_get(placebo, "min_placebos", origin, "placebo.")),
        placebo_pre_mspe_cutoff=None if cutoff is None else float(cutoff),
        in_time_placebo_year=int(_get(placebo, "in_time_year", origin, "placebo.")),
        alpha=float(_get(section, "alpha", origin)),
        power=float(_get(section, "power", origin)),
        horizons=tuple(int(h) for h in _get(section, "horizons", origin)),
        event_window=(window[0], window[1]),
        control_group=control,
        covid_years=tuple(int(y) for y in _get(section, "covid_years", origin)),
        n_jobs=int(_get(section, "n_jobs", origin)),
    )
    _check_ranges(config, origin)
    return config


def _check_ranges(config: ImpactConfig, origin: str) -> None:
    """Every number in its range; one error lists every key out of range with the value given
    and what was expected (a bad value costs no stage run)."""
    checks = [
        ("alpha", config.alpha, 0 < config.alpha < 1, "a number in (0, 1)"),
        ("power", config.power, 0 < config.power < 1, "a number in (0, 1)"),
        ("pre_years", config.pre_years, config.pre_years >= 3, "an integer >= 3"),
        ("min_pre_years", config.min_pre_years, config.min_pre_years >= 1, "an integer >= 1"),
        ("donor_min_children", config.donor_min_children, config.donor_min_children >= 0, "an integer >= 0"),
        ("donors.size_ratio", config.donor_size_ratio, config.donor_size_ratio >= 1, "a number >= 1"),
        ("donors.max_donors", config.max_donors, config.max_donors >= 2, "an integer >= 2"),
        ("donors.min_donors", config.min_donors, 2 <= config.min_donors <= config.max_donors, "an integer from 2 to donors.max_donors"),
        ("penalty", config.penalty, config.penalty >= 0, "a number >= 0"),
        ("min_backtests", config.min_backtests, config.min_backtests >= 2, "an integer >= 2"),
        ("placebo.min_placebos", config.min_placebos, config.min_placebos >= 1, "an integer >= 1"),
        ("n_jobs", config.n_jobs, config.n_jobs != 0, "a non-zero integer (-1 = all cores)"),
        ("headline_outcome", config.headline_outcome, config.headline_outcome in config.outcomes,
         f"one of impact.outcomes {list(config.outcomes)}"),
    ]
    problems = [f"'impact.{key}' must be {expected}, got {value!r}" for key, value, ok, expected in checks if not ok]
    if problems:
        raise ParameterError(f"{origin}: " + "; ".join(problems) + ".")


def _bool(mapping: Mapping[str, Any], key: str, origin: str) -> bool:
    value = _get(mapping, key, origin)
    if not isinstance(value, bool):
        raise ParameterError(f"{origin}: 'impact.{key}' must be true or false. Got {value!r}.")
    return value


def _get(mapping: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise ParameterError(f"{origin}: missing key 'impact.{prefix}{key}'.")
    return mapping[key]

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
    fit_start_year : int
        First year of the fit window (pre-period of every estimator starts here).
    min_pre_years : int
        Fewest pre-adoption years with data in the fit window.
    donor_min_children : int
        Donors must have more children aged 0-17 than this in every year of the window
        (tiny municipalities have rates dominated by count noise).
    placebo_pre_mspe_cutoff : float or None
        In-space placebos whose pre-MSPE exceeds this multiple of the treated unit's are
        left out of the p-value (Abadie et al. 2010 use 5); None keeps all.
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
    fit_start_year: int
    min_pre_years: int
    donor_min_children: int
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
    return ImpactConfig(
        outcomes=tuple(str(o) for o in _get(section, "outcomes", origin)),
        fit_start_year=int(_get(section, "fit_start_year", origin)),
        min_pre_years=int(_get(section, "min_pre_years", origin)),
        donor_min_children=int(_get(section, "donor_min_children", origin)),
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


def _get(mapping: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping:
        raise ParameterError(f"{origin}: missing key 'impact.{prefix}{key}'.")
    return mapping[key]

"""Frozen settings of the risk-factor stages, parsed once from the ``factors`` section of params.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

from aoresearch.config.core import check_choice
from aoresearch.errors import ParameterError

__all__ = [
    "AssociationSpec",
    "FactorsConfig",
    "ModelConfig",
    "Scenario",
    "TargetKind",
    "parse_factors_config",
]

TargetKind = Literal["change", "level"]
_SECTION = "params.yaml: factors"


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of the gradient-boosted trees (scikit-learn HistGradientBoostingRegressor)."""

    max_iter: int = 200
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    loss: str = "absolute_error"
    threads: int = 1


@dataclass(frozen=True)
class AssociationSpec:
    """One fixed-effects regression family: ``outcome ~ exposures + controls | year [+ region]``.

    ``outcomes`` empty means every forecast outcome; ``factors`` empty means every factor with data.
    """

    name: str
    outcomes: tuple[str, ...]
    factors: tuple[str, ...]
    lag: int
    min_children: float
    weights: str | None
    periods: Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Scenario:
    """A what-if on the factors at the forecast origin.

    ``shift``: factor -> amount added to its current (lag 0) value, in the factor's own unit
    (percentage points for ``_pct`` rates). ``hold``: factors whose lags are all set to the current
    value (the factor held at its last value, no recent movement carried forward).
    """

    name: str
    shift: Mapping[str, float] = field(default_factory=dict)
    hold: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactorsConfig:
    outcomes: tuple[str, ...]
    factors: tuple[str, ...] | None
    horizon: int
    horizons: tuple[int, ...]
    lags: tuple[int, ...]
    min_children: float
    target: TargetKind
    test_years: tuple[int, int]
    interval: float
    trend_years: int
    direction_threshold: float
    model: ModelConfig
    associations: tuple[AssociationSpec, ...]
    scenarios: tuple[Scenario, ...]
    seed: int = 0
    n_jobs: int = 1
    selection_horizons: tuple[int, ...] = (1, 2, 3)
    validation_years: tuple[int, int] | None = None

    @property
    def validation_year_range(self) -> range:
        """Target years on which the forecast per outcome and horizon is chosen (before the test years)."""
        if self.validation_years is None:
            return range(0)
        return range(self.validation_years[0], self.validation_years[1] + 1)

    @property
    def quantiles(self) -> tuple[float, float]:
        tail = (1.0 - self.interval) / 2.0
        return (tail, 1.0 - tail)

    @property
    def test_year_range(self) -> range:
        return range(self.test_years[0], self.test_years[1] + 1)


def parse_factors_config(section: Mapping[str, Any] | None, seed: int = 0) -> FactorsConfig:
    """Check the ``factors`` params section and build :class:`FactorsConfig`.

    Raises
    ------
    ParameterError
        Naming the key, what was expected and what was received.
    """
    if not isinstance(section, Mapping):
        raise ParameterError(f"{_SECTION}: expected a mapping under 'factors', got {type(section).__name__}.")
    outcomes = _str_tuple(_need(section, "outcomes"), "outcomes")
    if not outcomes:
        raise ParameterError(f"{_SECTION}.outcomes: list at least one outcome rate column.")
    factors = section.get("factors")
    lags = tuple(sorted({_int(v, "lags", minimum=0) for v in _need(section, "lags")}))
    if not lags or lags[0] != 0:
        raise ParameterError(f"{_SECTION}.lags: must include 0 (the current value); got {list(lags)}.")
    test_years = _years(_need(section, "test_years"), "test_years")
    validation_years = None if section.get("validation_years") is None else _years(section["validation_years"], "validation_years")
    if validation_years is not None and validation_years[1] >= test_years[0]:
        raise ParameterError(
            f"{_SECTION}.validation_years: must end before the test years start ({test_years[0]}), so the forecast "
            f"is chosen without seeing them; got end {validation_years[1]}."
        )
    interval = float(section.get("interval", 0.8))
    if not 0.0 < interval < 1.0:
        raise ParameterError(f"{_SECTION}.interval: nominal coverage must be in (0, 1); got {interval}.")
    horizon = _int(section.get("horizon", 1), "horizon", minimum=1)
    return FactorsConfig(
        outcomes=outcomes,
        factors=None if factors is None else _str_tuple(factors, "factors"),
        horizon=horizon,
        horizons=tuple(_int(h, "horizons", minimum=1) for h in section.get("horizons", [horizon])),
        lags=lags,
        min_children=float(section.get("min_children", 1000)),
        target=check_choice(section.get("target", "change"), TargetKind, "factors.target", "params.yaml"),
        test_years=test_years,
        interval=interval,
        trend_years=_int(section.get("trend_years", 5), "trend_years", minimum=2),
        direction_threshold=float(section.get("direction_threshold", 0.1)),
        model=_model(section.get("model") or {}),
        associations=_associations(section.get("associations") or {}),
        scenarios=_scenarios(section.get("scenarios") or {}),
        seed=int(seed),
        n_jobs=_int(section.get("n_jobs", 1), "n_jobs", minimum=1),
        selection_horizons=tuple(sorted({_int(h, "selection_horizons", minimum=1) for h in section.get("selection_horizons", [horizon])})),
        validation_years=validation_years,
    )


def _years(value: Any, key: str) -> tuple[int, int]:
    if not isinstance(value, Mapping) or "start" not in value or "end" not in value:
        raise ParameterError(f"{_SECTION}.{key}: expected {{start: YEAR, end: YEAR}}, got {value!r}.")
    years = (_int(value["start"], f"{key}.start"), _int(value["end"], f"{key}.end"))
    if years[0] > years[1]:
        raise ParameterError(f"{_SECTION}.{key}: start {years[0]} is after end {years[1]}.")
    return years


def _model(value: Mapping[str, Any]) -> ModelConfig:
    if not isinstance(value, Mapping):
        raise ParameterError(f"{_SECTION}.model: expected a mapping of hyper-parameters, got {value!r}.")
    unknown = sorted(set(value) - set(ModelConfig.__dataclass_fields__))
    if unknown:
        raise ParameterError(
            f"{_SECTION}.model: unknown keys {unknown}; expected any of {sorted(ModelConfig.__dataclass_fields__)}."
        )
    config = ModelConfig(**{k: type(getattr(ModelConfig, k))(v) for k, v in value.items()})
    if config.loss not in ("squared_error", "absolute_error"):
        raise ParameterError(f"{_SECTION}.model.loss: must be one of {{'squared_error', 'absolute_error'}}; got {config.loss!r}.")
    if config.max_iter < 1 or config.learning_rate <= 0 or config.max_leaf_nodes < 2 or config.min_samples_leaf < 1:
        raise ParameterError(f"{_SECTION}.model: hyper-parameters out of range: {config}.")
    return config


def _associations(value: Mapping[str, Any]) -> tuple[AssociationSpec, ...]:
    if not isinstance(value, Mapping):
        raise ParameterError(f"{_SECTION}.associations: expected a mapping of named specifications, got {value!r}.")
    specs = []
    for name, spec in value.items():
        where = f"{_SECTION}.associations.{name}"
        if not isinstance(spec, Mapping):
            raise ParameterError(f"{where}: expected a mapping, got {spec!r}.")
        periods = {}
        for label, span in (spec.get("periods") or {}).items():
            if not (isinstance(span, (list, tuple)) and len(span) == 2 and int(span[0]) <= int(span[1])):
                raise ParameterError(f"{where}.periods.{label}: expected [first_year, last_year], got {span!r}.")
            periods[str(label)] = (int(span[0]), int(span[1]))
        if not periods:
            raise ParameterError(f"{where}.periods: give at least one period, e.g. all: [1992, 2021].")
        specs.append(AssociationSpec(
            name=str(name),
            outcomes=_str_tuple(spec.get("outcomes") or [], f"associations.{name}.outcomes"),
            factors=_str_tuple(spec.get("factors") or [], f"associations.{name}.factors"),
            lag=_int(spec.get("lag", 0), f"associations.{name}.lag", minimum=0),
            min_children=float(spec.get("min_children", 0)),
            weights=spec.get("weights"),
            periods=MappingProxyType(periods),
        ))
    return tuple(specs)


def _scenarios(value: Mapping[str, Any]) -> tuple[Scenario, ...]:
    if not isinstance(value, Mapping):
        raise ParameterError(f"{_SECTION}.scenarios: expected a mapping of named scenarios, got {value!r}.")
    scenarios = [Scenario("baseline")]
    for name, spec in value.items():
        if name == "baseline":
            continue
        where = f"{_SECTION}.scenarios.{name}"
        spec = spec or {}
        unknown = sorted(set(spec) - {"shift", "hold"})
        if unknown or not isinstance(spec, Mapping):
            raise ParameterError(f"{where}: expected keys 'shift' and/or 'hold', got {spec!r}.")
        shift = {str(k): float(v) for k, v in (spec.get("shift") or {}).items()}
        scenarios.append(Scenario(str(name), MappingProxyType(shift), _str_tuple(spec.get("hold") or [], f"scenarios.{name}.hold")))
    return tuple(scenarios)


def _need(section: Mapping[str, Any], key: str) -> Any:
    if key not in section:
        raise ParameterError(f"{_SECTION}: missing key '{key}'.")
    return section[key]


def _str_tuple(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ParameterError(f"{_SECTION}.{key}: expected a list of column names, got {value!r}.")
    return tuple(str(v) for v in value)


def _int(value: Any, key: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ParameterError(f"{_SECTION}.{key}: expected an integer, got {value!r}.")
    if minimum is not None and value < minimum:
        raise ParameterError(f"{_SECTION}.{key}: must be at least {minimum}; got {value}.")
    return int(value)

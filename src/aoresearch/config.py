"""Frozen parameter records parsed once from ``params.yaml`` at a stage's entry point.

Library functions receive these records; none of them opens ``params.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, get_args

import yaml

from aoresearch.errors import ParameterError

__all__ = [
    "ApiConfig",
    "DataConfig",
    "DemoConfig",
    "FileSourceConfig",
    "PanelConfig",
    "Pilot",
    "Params",
    "load_params",
    "parse_params",
    "check_choice",
]

SourceName = Literal["demo", "file", "sotkanet"]
SuppressionMethod = Literal["midpoint", "lower", "upper", "missing"]
CATEGORY_NAMES = {"KUNTA": "municipality", "HYVINVOINTIALUE": "wellbeing services county", "MAA": "whole country"}


def check_choice(value: object, options: object, parameter: str, owner: str) -> Any:
    """Return ``value`` if it is one of the ``Literal`` ``options``, else raise ParameterError."""
    allowed = get_args(options)
    if value not in allowed:
        raise ParameterError(
            f"The '{parameter}' parameter of {owner} must be one of {set(allowed)}. Got {value!r} instead."
        )
    return value


@dataclass(frozen=True)
class FileSourceConfig:
    path: Path


@dataclass(frozen=True)
class ApiConfig:
    base_url: str
    timeout_s: float = 60.0
    max_retries: int = 4
    backoff_s: float = 2.0
    genders: tuple[str, ...] = ("total", "female", "male")


@dataclass(frozen=True)
class DemoConfig:
    categories: tuple[str, ...]
    effect: Mapping[str, float]
    ramp_years: int


@dataclass(frozen=True)
class DataConfig:
    source: SourceName
    start_year: int
    end_year: int
    file: FileSourceConfig
    sotkanet: ApiConfig
    demo: DemoConfig

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


@dataclass(frozen=True)
class Pilot:
    """A pilot site of the A/B service model."""

    key: str
    name: str
    region: int
    category: str
    adoption_a: int
    adoption_b: int
    within: tuple[int, ...] = ()

    @property
    def adoption_year(self) -> int:
        """The first year in which any part of the service model was in use."""
        return min(self.adoption_a, self.adoption_b)


@dataclass(frozen=True)
class PanelConfig:
    categories: Mapping[str, str]
    suppression: SuppressionMethod
    min_pre_years: int


@dataclass(frozen=True)
class Params:
    seed: int
    data: DataConfig
    panel: PanelConfig
    pilots: tuple[Pilot, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def pilot(self, key: str) -> Pilot:
        for pilot in self.pilots:
            if pilot.key == key:
                return pilot
        raise ParameterError(f"params.yaml: no pilot '{key}' under 'pilots'; known: {[p.key for p in self.pilots]}.")

    def pilots_in(self, panel_name: str) -> tuple[Pilot, ...]:
        return tuple(p for p in self.pilots if p.category == panel_name)


def load_params(path: str | Path = "params.yaml") -> Params:
    """Read ``params.yaml`` into frozen records.

    Raises
    ------
    ParameterError
        If the file is missing or a key is absent or invalid; the message names the key.
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ParameterError(f"parameter file {path} does not exist.") from exc
    return parse_params(document, origin=str(path), base_dir=path.parent)


def parse_params(document: Mapping[str, Any], origin: str = "params.yaml", base_dir: Path = Path(".")) -> Params:
    """Build :class:`Params` from an already parsed params mapping."""
    if not isinstance(document, Mapping):
        raise ParameterError(f"{origin}: expected a mapping at the top level.")
    data = _section(document, "data", origin)
    panel = _section(document, "panel", origin)
    pilots = _section(document, "pilots", origin)
    return Params(
        seed=int(_get(document, "seed", origin)),
        data=_data_config(data, origin, base_dir),
        panel=_panel_config(panel, origin),
        pilots=tuple(_pilot(key, value, origin) for key, value in pilots.items()),
        raw=MappingProxyType(dict(document)),
    )


def _data_config(data: Mapping[str, Any], origin: str, base_dir: Path) -> DataConfig:
    years = _section(data, "years", origin, "data.")
    start, end = int(_get(years, "start", origin, "data.years.")), int(_get(years, "end", origin, "data.years."))
    if start > end:
        raise ParameterError(f"{origin}: data.years.start ({start}) is after data.years.end ({end}).")
    api = _section(data, "sotkanet", origin, "data.")
    demo = _section(data, "demo", origin, "data.")
    file_path = Path(_get(_section(data, "file", origin, "data."), "path", origin, "data.file."))
    return DataConfig(
        source=check_choice(data.get("source"), SourceName, "data.source", origin),
        start_year=start,
        end_year=end,
        file=FileSourceConfig(path=file_path if file_path.is_absolute() else base_dir / file_path),
        sotkanet=ApiConfig(
            base_url=str(_get(api, "base_url", origin, "data.sotkanet.")).rstrip("/"),
            timeout_s=float(api.get("timeout_s", 60)),
            max_retries=int(api.get("max_retries", 4)),
            backoff_s=float(api.get("backoff_s", 2.0)),
            genders=tuple(api.get("genders", ("total", "female", "male"))),
        ),
        demo=DemoConfig(
            categories=tuple(demo.get("categories", ("KUNTA", "HYVINVOINTIALUE", "MAA"))),
            effect=MappingProxyType({str(k): float(v) for k, v in (demo.get("effect") or {}).items()}),
            ramp_years=int(demo.get("ramp_years", 0)),
        ),
    )


def _panel_config(panel: Mapping[str, Any], origin: str) -> PanelConfig:
    categories = _section(panel, "categories", origin, "panel.")
    return PanelConfig(
        categories=MappingProxyType({str(k): str(v) for k, v in categories.items()}),
        suppression=check_choice(panel.get("suppression"), SuppressionMethod, "panel.suppression", origin),
        min_pre_years=int(panel.get("min_pre_years", 5)),
    )


def _pilot(key: str, value: Mapping[str, Any], origin: str) -> Pilot:
    prefix = f"pilots.{key}."
    adoption = _section(value, "adoption", origin, prefix)
    return Pilot(
        key=str(key),
        name=str(value.get("name", key)),
        region=int(_get(value, "region", origin, prefix)),
        category=str(_get(value, "category", origin, prefix)),
        adoption_a=int(_get(adoption, "A", origin, prefix + "adoption.")),
        adoption_b=int(_get(adoption, "B", origin, prefix + "adoption.")),
        within=tuple(int(v) for v in value.get("within", []) or []),
    )


def _section(document: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Mapping[str, Any]:
    value = _get(document, key, origin, prefix)
    if not isinstance(value, Mapping):
        raise ParameterError(f"{origin}: '{prefix}{key}' must be a mapping, got {type(value).__name__}.")
    return value


def _get(document: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Any:
    if key not in document:
        raise ParameterError(f"{origin}: missing key '{prefix}{key}'.")
    return document[key]

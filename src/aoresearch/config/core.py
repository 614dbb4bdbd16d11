"""The shared sections of ``params.yaml`` (``seed``, ``data``, ``panel``, ``pilots``) as frozen
records, and the helpers every section parser uses (:func:`check_choice`, :func:`section`, :func:`get`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, get_args

from aoresearch.errors import ParameterError

__all__ = [
    "ApiConfig",
    "DataConfig",
    "DemoConfig",
    "FileSourceConfig",
    "PanelConfig",
    "Pilot",
    "SourceName",
    "SuppressionMethod",
    "check_choice",
    "parse_data_config",
    "parse_panel_config",
    "parse_pilots",
    "section",
    "get",
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


def parse_data_config(data: Mapping[str, Any], origin: str, base_dir: Path) -> DataConfig:
    """The ``data`` section; a relative ``data.file.path`` is taken from ``base_dir``."""
    years = section(data, "years", origin, "data.")
    start, end = int(get(years, "start", origin, "data.years.")), int(get(years, "end", origin, "data.years."))
    if start > end:
        raise ParameterError(f"{origin}: data.years.start ({start}) is after data.years.end ({end}).")
    api = section(data, "sotkanet", origin, "data.")
    demo = section(data, "demo", origin, "data.")
    file_path = Path(get(section(data, "file", origin, "data."), "path", origin, "data.file."))
    return DataConfig(
        source=check_choice(data.get("source"), SourceName, "data.source", origin),
        start_year=start,
        end_year=end,
        file=FileSourceConfig(path=file_path if file_path.is_absolute() else base_dir / file_path),
        sotkanet=ApiConfig(
            base_url=str(get(api, "base_url", origin, "data.sotkanet.")).rstrip("/"),
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


def parse_panel_config(panel: Mapping[str, Any], origin: str) -> PanelConfig:
    """The ``panel`` section."""
    categories = section(panel, "categories", origin, "panel.")
    return PanelConfig(
        categories=MappingProxyType({str(k): str(v) for k, v in categories.items()}),
        suppression=check_choice(panel.get("suppression"), SuppressionMethod, "panel.suppression", origin),
        min_pre_years=int(panel.get("min_pre_years", 5)),
    )


def parse_pilots(pilots: Mapping[str, Any], origin: str) -> tuple[Pilot, ...]:
    """Every entry of the ``pilots`` mapping as a :class:`Pilot`."""
    return tuple(_pilot(key, value, origin) for key, value in pilots.items())


def _pilot(key: str, value: Mapping[str, Any], origin: str) -> Pilot:
    prefix = f"pilots.{key}."
    adoption = section(value, "adoption", origin, prefix)
    return Pilot(
        key=str(key),
        name=str(value.get("name", key)),
        region=int(get(value, "region", origin, prefix)),
        category=str(get(value, "category", origin, prefix)),
        adoption_a=int(get(adoption, "A", origin, prefix + "adoption.")),
        adoption_b=int(get(adoption, "B", origin, prefix + "adoption.")),
        within=tuple(int(v) for v in value.get("within", []) or []),
    )


def section(document: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Mapping[str, Any]:
    """``document[key]``, which must be a mapping; the error names ``<prefix><key>``."""
    value = get(document, key, origin, prefix)
    if not isinstance(value, Mapping):
        raise ParameterError(f"{origin}: '{prefix}{key}' must be a mapping, got {type(value).__name__}.")
    return value


def get(document: Mapping[str, Any], key: str, origin: str, prefix: str = "") -> Any:
    """``document[key]``; a missing key is a ParameterError naming ``<prefix><key>``."""
    if key not in document:
        raise ParameterError(f"{origin}: missing key '{prefix}{key}'.")
    return document[key]

"""Frozen parameter records parsed once from ``params.yaml`` at a stage's entry point.

:func:`load_params` parses every section into its record (:class:`Params`: ``data``, ``panel``,
``pilots``, ``factors``, ``impact``, ``reports``, ``validation``); library functions receive
these records and none of them opens ``params.yaml`` or reads an unparsed mapping. Each
section's record and parser is a module of this package, which imports neither pandas nor any
analysis package, so ``import aoresearch.config`` stays light and free of cycles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from aoresearch.config import core
from aoresearch.config.core import (
    ApiConfig,
    DataConfig,
    DemoConfig,
    FileSourceConfig,
    PanelConfig,
    Pilot,
    SourceName,
    SuppressionMethod,
    check_choice,
    get,
    parse_data_config,
    parse_panel_config,
    parse_pilots,
    section,
)
from aoresearch.config.factors import FactorsConfig, parse_factors_config
from aoresearch.config.impact import ImpactConfig, parse_impact_config
from aoresearch.config.reports import ReportSettings, parse_report_settings
from aoresearch.config.validation import ValidationSettings, parse_validation_settings
from aoresearch.errors import ParameterError

__all__ = [
    *core.__all__,
    "FactorsConfig",
    "ImpactConfig",
    "ReportSettings",
    "ValidationSettings",
    "Params",
    "load_params",
    "parse_params",
    "parse_shared_sections",
]


@dataclass(frozen=True)
class Params:
    """Every section of ``params.yaml``, each parsed once into its frozen record."""

    seed: int
    data: DataConfig
    panel: PanelConfig
    pilots: tuple[Pilot, ...]
    factors: FactorsConfig
    impact: ImpactConfig
    reports: ReportSettings
    validation: ValidationSettings

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
    """Build :class:`Params` from an already parsed params mapping, every section once.

    Raises
    ------
    ParameterError
        The first problem found, naming the key (``aoresearch.params_schema`` lists them all).
    """
    shared = parse_shared_sections(document, origin, base_dir)
    return Params(
        **shared,
        factors=parse_factors_config(document.get("factors"), shared["seed"]),
        impact=parse_impact_config(document.get("impact"), origin),
        reports=parse_report_settings(document.get("reports")),
        validation=parse_validation_settings(document.get("validation"), origin),
    )


def parse_shared_sections(document: Mapping[str, Any], origin: str = "params.yaml", base_dir: Path = Path(".")) -> dict[str, Any]:
    """``seed``, ``data``, ``panel`` and ``pilots``: the sections every stage shares, by field of :class:`Params`."""
    if not isinstance(document, Mapping):
        raise ParameterError(f"{origin}: expected a mapping at the top level.")
    return {
        "seed": int(get(document, "seed", origin)),
        "data": parse_data_config(section(document, "data", origin), origin, base_dir),
        "panel": parse_panel_config(section(document, "panel", origin), origin),
        "pilots": parse_pilots(section(document, "pilots", origin), origin),
    }

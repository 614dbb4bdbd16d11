"""The indicator catalogue: which Sotkanet indicators the situation room uses and how their
panel rates are formed (``resources/indicators.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

import yaml

from aoresearch.errors import CatalogueError

__all__ = ["Catalogue", "Indicator", "Rate", "load_catalogue", "DEFAULT_CATALOGUE", "Role", "REGION_CATEGORIES", "ALL_LEVELS"]

Role = Literal["outcome", "risk", "protective", "denominator", "context"]
ValueKind = Literal["primary", "absolute"]
Gender = Literal["total", "female", "male"]
DEMO_ID_RANGE = range(900001, 901000)
# Sotkanet's region categories, municipality first (``category`` of ``/regions``).
REGION_CATEGORIES = (
    "KUNTA", "SEUTUKUNTA", "HYVINVOINTIALUE", "MAAKUNTA", "SAIRAANHOITOPIIRI", "ERVA",
    "ALUEHALLINTOVIRASTO", "SUURALUE", "NUTS1", "MAA",
)
ALL_LEVELS = "K+"  # SOTKANET_IDS.md's shorthand: the municipality level and every level above it
DEFAULT_CATALOGUE = Path(str(resources.files("aoresearch") / "resources" / "indicators.yaml"))


@dataclass(frozen=True)
class Rate:
    """A panel column formed from one indicator.

    ``value = numerator / sum(denominators) * per`` when ``denominators`` is non-empty,
    otherwise ``value = primary value * per``.
    """

    column: str
    name: str
    indicator: str
    role: Role
    denominators: tuple[int, ...]
    per: float
    bounds: tuple[float, float]


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (a Sotkanet indicator)."""

    key: str
    sotkanet_id: int | None
    demo_id: int | None
    name: str
    value: ValueKind
    unit: str
    role: Role
    genders: tuple[Gender, ...]
    suppressed_below: int | None
    rates: tuple[Rate, ...]
    levels: tuple[str, ...] = REGION_CATEGORIES
    demo_only: str | None = None
    source: str = ""

    def published_for(self, category: str) -> bool:
        """Whether Sotkanet publishes this indicator for region ``category`` (e.g. ``"KUNTA"``)."""
        return category in self.levels

    @property
    def raw_id(self) -> int:
        """The id under which this indicator appears in raw data (Sotkanet id, else demo id)."""
        return self.sotkanet_id if self.sotkanet_id is not None else self.demo_id  # type: ignore[return-value]

    @property
    def value_column(self) -> str:
        """Column of the raw long data holding this indicator (``value`` or ``abs_value``)."""
        return "abs_value" if self.value == "absolute" else "value"


@dataclass(frozen=True)
class Catalogue:
    """All indicators, looked up by key or raw id."""

    indicators: tuple[Indicator, ...]
    source: str

    def __post_init__(self) -> None:
        _check_unique([i.key for i in self.indicators], "key", self.source)
        _check_unique([i.raw_id for i in self.indicators], "sotkanet_id/demo_id", self.source)
        _check_unique([r.column for r in self.rates], "rate column", self.source)
        known = {i.raw_id for i in self.indicators}
        for rate in self.rates:
            missing = [d for d in rate.denominators if d not in known]
            if missing:
                raise CatalogueError(
                    f"{self.source}: rate '{rate.column}' of indicator '{rate.indicator}' has "
                    f"denominator ids {missing} that are not catalogue entries; add them."
                )

    @property
    def rates(self) -> tuple[Rate, ...]:
        return tuple(r for i in self.indicators for r in i.rates)

    def by_key(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise CatalogueError(f"{self.source}: no indicator with key '{key}'.")

    def by_raw_id(self, raw_id: int) -> Indicator:
        for indicator in self.indicators:
            if indicator.raw_id == raw_id:
                return indicator
        raise CatalogueError(f"{self.source}: no indicator with id {raw_id}.")

    def rate(self, column: str) -> Rate:
        for rate in self.rates:
            if rate.column == column:
                return rate
        known = ", ".join(r.column for r in self.rates)
        raise CatalogueError(f"{self.source}: no rate column '{column}'. Known: {known}.")

    def rates_with_role(self, *roles: Role) -> tuple[Rate, ...]:
        return tuple(r for r in self.rates if r.role in roles)

    def rate_published_for(self, rate: Rate, category: str) -> bool:
        """Whether ``rate``'s indicator and every denominator are published for ``category``."""
        parts = [self.by_key(rate.indicator), *(self.by_raw_id(d) for d in rate.denominators)]
        return all(p.published_for(category) for p in parts)

    def not_published_for(self, category: str) -> tuple[Indicator, ...]:
        """Entries whose ``levels`` leave out ``category`` (no rows expected there)."""
        return tuple(i for i in self.indicators if not i.published_for(category))

    @property
    def raw_ids(self) -> frozenset[int]:
        return frozenset(i.raw_id for i in self.indicators)

    @property
    def fetchable(self) -> tuple[Indicator, ...]:
        """Entries with a Sotkanet id: what the file and API sources can deliver."""
        return tuple(i for i in self.indicators if i.sotkanet_id is not None)

    @property
    def unfetchable(self) -> tuple[Indicator, ...]:
        """Entries still waiting for a researcher to fill in their Sotkanet id."""
        return tuple(i for i in self.indicators if i.sotkanet_id is None)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and check an indicator catalogue.

    Parameters
    ----------
    path : str or Path, optional
        YAML file; the packaged ``resources/indicators.yaml`` by default.

    Raises
    ------
    CatalogueError
        If the file is missing, not YAML, or an entry breaks the schema.
    """
    path = Path(path) if path is not None else DEFAULT_CATALOGUE
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"indicator catalogue {path} does not exist.") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"indicator catalogue {path} is not valid YAML: {exc}") from exc
    entries = document.get("indicators") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path}: expected a non-empty list under 'indicators'.")
    indicators = tuple(_parse_indicator(entry, n, path) for n, entry in enumerate(entries))
    return Catalogue(indicators=indicators, source=str(path))


def _parse_indicator(entry: object, n: int, path: Path) -> Indicator:
    where = f"{path}: entry {n}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where} must be a mapping, got {type(entry).__name__}.")
    for field in ("key", "name", "value", "role"):
        if field not in entry:
            raise CatalogueError(f"{where} has no '{field}'.")
    key = str(entry["key"])
    where = f"{path}: indicator '{key}'"
    sotkanet_id, demo_id = entry.get("sotkanet_id"), entry.get("demo_id")
    if sotkanet_id is None and demo_id is None:
        raise CatalogueError(f"{where} needs a sotkanet_id or, until one is chosen, a demo_id.")
    if demo_id is not None and int(demo_id) not in DEMO_ID_RANGE:
        raise CatalogueError(f"{where}: demo_id {demo_id} is outside 900001-900999.")
    demo_only = _demo_only(entry.get("demo_only"), sotkanet_id, where)
    role = _choice(entry["role"], Role, "role", where)
    rates = tuple(
        _parse_rate(r, key, role, f"{where} rate {k}") for k, r in enumerate(entry.get("rates") or [])
    )
    return Indicator(
        key=key,
        sotkanet_id=int(sotkanet_id) if sotkanet_id is not None else None,
        demo_id=int(demo_id) if demo_id is not None else None,
        name=str(entry["name"]),
        value=_choice(entry["value"], ValueKind, "value", where),
        unit=str(entry.get("unit", "")),
        role=role,
        genders=tuple(_choice(g, Gender, "genders", where) for g in entry.get("genders", ["total"])),
        suppressed_below=entry.get("suppressed_below"),
        rates=rates,
        levels=_levels(entry.get("levels", ALL_LEVELS), where),
        demo_only=demo_only,
        source=str(entry.get("source") or ""),
    )


def _demo_only(reason: object, sotkanet_id: object, where: str) -> str | None:
    """The reason an entry has no Sotkanet id; required exactly when ``sotkanet_id`` is null."""
    if sotkanet_id is None:
        if not isinstance(reason, str) or not reason.strip():
            raise CatalogueError(
                f"{where} has no sotkanet_id, so it is simulated by the demo only; say why in "
                f"'demo_only' (e.g. demo_only: \"no verified Sotkanet id: ...\"). Got {reason!r}."
            )
        return reason.strip()
    if reason is not None:
        raise CatalogueError(f"{where} has sotkanet_id {sotkanet_id} and a 'demo_only' reason {reason!r}; remove 'demo_only'.")
    return None


def _levels(value: object, where: str) -> tuple[str, ...]:
    """Region categories of ``levels``: ``K+`` (every category) or a list of Sotkanet categories."""
    if value == ALL_LEVELS:
        return REGION_CATEGORIES
    if not isinstance(value, list) or not value:
        raise CatalogueError(
            f"{where}: 'levels' must be {ALL_LEVELS!r} or a non-empty list of Sotkanet region categories "
            f"{list(REGION_CATEGORIES)}. Got {value!r} instead."
        )
    unknown = [v for v in value if v not in REGION_CATEGORIES]
    if unknown:
        raise CatalogueError(f"{where}: 'levels' {unknown} are not Sotkanet region categories; use any of {list(REGION_CATEGORIES)}.")
    if len(set(value)) != len(value):
        raise CatalogueError(f"{where}: 'levels' lists a category twice: {value!r}.")
    return tuple(c for c in REGION_CATEGORIES if c in value)


def _parse_rate(entry: object, key: str, role: Role, where: str) -> Rate:
    if not isinstance(entry, dict) or "column" not in entry or "bounds" not in entry:
        raise CatalogueError(f"{where} must be a mapping with at least 'column' and 'bounds'.")
    bounds = entry["bounds"]
    if not (isinstance(bounds, list) and len(bounds) == 2 and bounds[0] < bounds[1]):
        raise CatalogueError(f"{where}: bounds must be [min, max] with min < max, got {bounds!r}.")
    return Rate(
        column=str(entry["column"]),
        name=str(entry.get("name", entry["column"])),
        indicator=key,
        role=_choice(entry.get("role", role), Role, "role", where),
        denominators=tuple(int(d) for d in entry.get("denominator", [])),
        per=float(entry.get("per", 1)),
        bounds=(float(bounds[0]), float(bounds[1])),
    )


def _choice(value: object, options: object, field: str, where: str):
    allowed = get_args(options)
    if value not in allowed:
        raise CatalogueError(f"{where}: '{field}' must be one of {set(allowed)}. Got {value!r} instead.")
    return value


def _check_unique(values: list, what: str, source: str) -> None:
    seen, dupes = set(), set()
    for v in values:
        (dupes if v in seen else seen).add(v)
    if dupes:
        raise CatalogueError(f"{source}: duplicate {what}: {sorted(dupes, key=str)}.")

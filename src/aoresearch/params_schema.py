"""One schema of ``params.yaml``, checked before any stage does work.

:func:`check_params` walks the whole parameter document against :func:`schema`, which knows
every key of every section (required or optional with its default), its type and its allowed
range or choices. It then calls the section parsers that hold further rules
(:func:`aoresearch.config.parse_shared_sections`, ``parse_factors_config``, ``parse_impact_config``,
``parse_report_settings``, ``parse_validation_settings``) on each section the walk found clean, so their rules are not
repeated here. Every problem is collected; one :class:`~aoresearch.errors.ParameterError`
lists them all, each naming the full key path and what was expected, e.g.
``unknown key panel.min_pre_yaers; did you mean panel.min_pre_years?``.

Choices come from the ``Literal`` aliases of the modules that use them (``SourceName``,
``SuppressionMethod``, ``TargetKind``, the report ``LANGUAGES``). Ranges that no parser checks
are declared here (``factors.min_children >= 0``, ``impact.horizons >= 1``, ...).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml

from aoresearch.config import SourceName, SuppressionMethod, parse_shared_sections
from aoresearch.config.factors import TargetKind, parse_factors_config
from aoresearch.config.impact import parse_impact_config
from aoresearch.config.reports import LANGUAGES, parse_report_settings
from aoresearch.config.validation import parse_validation_settings
from aoresearch.errors import ParameterError

__all__ = ["Problem", "check_params", "check_params_file", "params_problems", "known_keys", "schema"]


@dataclass(frozen=True)
class Problem:
    """One parameter problem: the dotted key path (a section, for a parser's problem) and the message naming it."""

    path: str
    message: str


@dataclass(frozen=True)
class Value:
    """A leaf: ``accepts(value)`` is True for an allowed value; ``expected`` says what that is."""

    expected: str
    accepts: Callable[[Any], bool]
    required: bool = True
    nullable: bool = False


@dataclass(frozen=True)
class Section:
    """A mapping with fixed keys."""

    fields: Mapping[str, Any]
    required: bool = True
    nullable: bool = False
    expected: str = "a mapping"


@dataclass(frozen=True)
class MappingOf:
    """A mapping whose keys are names chosen by the user (pilots, scenarios, ...), each value ``value``."""

    value: Any
    required: bool = True
    nullable: bool = False
    expected: str = "a mapping of names"
    min_items: int = 0


@dataclass(frozen=True)
class ListOf:
    """A list whose items are each ``item``; ``length`` fixes its length."""

    item: Value
    required: bool = True
    nullable: bool = False
    min_items: int = 0
    length: int | None = None

    @property
    def expected(self) -> str:
        count = f"{self.length} " if self.length is not None else ""
        return f"a list of {count}{_plural(self.item.expected)}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def integer(minimum: int | None = None, maximum: int | None = None, *, required: bool = True) -> Value:
    """A whole number in ``[minimum, maximum]``."""
    bounds = [f">= {minimum}"] * (minimum is not None) + [f"<= {maximum}"] * (maximum is not None)
    return Value(
        f"an integer{' ' + ' and '.join(bounds) if bounds else ''}",
        lambda v: _is_int(v) and (minimum is None or v >= minimum) and (maximum is None or v <= maximum),
        required,
    )


def number(low: float | None = None, high: float | None = None, *, open_low: bool = False,
           open_high: bool = False, required: bool = True, nullable: bool = False) -> Value:
    """A real number between ``low`` and ``high`` (closed unless ``open_low``/``open_high``)."""
    if low is not None and high is not None:
        what = f"a number in {'(' if open_low else '['}{low}, {high}{')' if open_high else ']'}"
    elif low is not None:
        what = f"a number {'>' if open_low else '>='} {low}"
    else:
        what = "a number"

    def accepts(v: Any) -> bool:
        if not _is_number(v):
            return False
        above = low is None or (v > low if open_low else v >= low)
        below = high is None or (v < high if open_high else v <= high)
        return above and below

    return Value(what + (" or null" if nullable else ""), accepts, required, nullable)


def text(*, required: bool = True, nullable: bool = False) -> Value:
    """A non-empty string."""
    return Value("a non-empty string" + (" or null" if nullable else ""),
                 lambda v: isinstance(v, str) and v != "", required, nullable)


def boolean(*, required: bool = True) -> Value:
    """``true`` or ``false``."""
    return Value("true or false", lambda v: isinstance(v, bool), required)


def choice(options: Any, *, required: bool = True) -> Value:
    """One of ``options`` (a ``Literal`` alias or a sequence)."""
    allowed = tuple(get_args(options)) or tuple(options)
    return Value(f"one of {list(allowed)}", lambda v: isinstance(v, str) and v in allowed, required)


def strings(*, required: bool = True, nullable: bool = False, min_items: int = 0) -> ListOf:
    return ListOf(text(), required, nullable, min_items)


def integers(minimum: int | None = None, *, required: bool = True, min_items: int = 0,
             length: int | None = None) -> ListOf:
    return ListOf(integer(minimum), required, min_items=min_items, length=length)


YEAR = integer(1900, 2100)
_GENDERS = ("total", "female", "male")


def _schema() -> Section:
    return Section({
        "seed": integer(0),
        "data": Section({
            "source": choice(SourceName),
            "years": Section({"start": YEAR, "end": YEAR}),
            "file": Section({"path": text()}),
            "sotkanet": Section({
                "base_url": text(),
                "timeout_s": number(0, open_low=True, required=False),
                "max_retries": integer(0, required=False),
                "backoff_s": number(0, required=False),
                "genders": ListOf(choice(_GENDERS), required=False, min_items=1),
            }),
            "demo": Section({
                "categories": strings(required=False, min_items=1),
                "effect": MappingOf(number(-1), required=False, nullable=True),
                "ramp_years": integer(0, required=False),
            }),
        }),
        "panel": Section({
            "categories": MappingOf(text(), min_items=1),
            "suppression": choice(SuppressionMethod),
            "min_pre_years": integer(0, required=False),
        }),
        "pilots": MappingOf(Section({
            "name": text(required=False),
            "region": integer(1),
            "category": text(),
            "adoption": Section({"A": YEAR, "B": YEAR}),
            "within": ListOf(integer(1), required=False, nullable=True),
        }), nullable=True),
        "factors": Section({
            "outcomes": strings(min_items=1),
            "factors": strings(required=False, nullable=True),
            "horizon": integer(required=False),
            "horizons": integers(required=False, min_items=1),
            "lags": integers(min_items=1),
            "min_children": number(0, required=False),
            "target": choice(TargetKind, required=False),
            "test_years": Section({"start": YEAR, "end": YEAR}),
            "validation_years": Section({"start": YEAR, "end": YEAR}, required=False, nullable=True),
            "selection_horizons": integers(1, required=False, min_items=1),
            "interval": number(required=False),
            "trend_years": integer(required=False),
            "direction_threshold": number(0, 1, required=False),
            "n_jobs": integer(required=False),
            "model": Section({
                "max_iter": integer(required=False),
                "learning_rate": number(required=False),
                "max_leaf_nodes": integer(required=False),
                "min_samples_leaf": integer(required=False),
                "l2_regularization": number(0, required=False),
                "loss": text(required=False),
                "threads": integer(1, required=False),
            }, required=False, nullable=True),
            "associations": MappingOf(Section({
                "outcomes": strings(required=False, nullable=True),
                "factors": strings(required=False, nullable=True),
                "lag": integer(required=False),
                "min_children": number(0, required=False),
                "weights": text(required=False, nullable=True),
                "periods": MappingOf(ListOf(YEAR, length=2), min_items=1),
            }), required=False, nullable=True),
            "scenarios": MappingOf(Section({
                "shift": MappingOf(number(), required=False, nullable=True),
                "hold": strings(required=False, nullable=True),
            }, nullable=True), required=False, nullable=True),
        }),
        "validation": Section({
            "region_categories": strings(min_items=1),
            "min_denominator": number(0, required=False),
            "gender_tolerance": number(0, required=False),
            "examples": integer(0, required=False),
            "max_count": number(0, open_low=True, required=False),
            "max_count_change": number(1, required=False),
            "change_base": number(0, required=False),
            "max_percent_change": number(0, open_low=True, required=False),
            "max_missing_share": number(0, 1, required=False),
            "n_jobs": integer(1, required=False),
        }),
        "reports": Section({
            "language": choice(LANGUAGES, required=False),
            "min_children": integer(required=False),
            "small_count_max": integer(required=False),
        }, required=False, nullable=True),
        "impact": Section({
            "outcomes": strings(min_items=1),
            "headline_outcome": text(),
            "fit_start_year": YEAR,
            "min_pre_years": integer(),
            "pre_years": integer(),
            "donor_min_children": integer(),
            "donors": Section({"size_ratio": number(), "max_donors": integer(), "min_donors": integer()}),
            "penalty": number(),
            "intercept": boolean(),
            "min_backtests": integer(),
            "placebo": Section({
                "pre_mspe_cutoff": number(0, open_low=True, nullable=True),
                "min_placebos": integer(),
                "in_time_year": YEAR,
            }),
            "alpha": number(),
            "power": number(),
            "horizons": integers(1, min_items=1),
            "event_window": integers(length=2),
            "control_group": text(),
            "covid_years": ListOf(YEAR),
            "n_jobs": integer(),
        }),
    })


@functools.cache
def schema() -> Section:
    """The schema of ``params.yaml`` (built on first use: it reads choices from the parser modules)."""
    return _schema()


def known_keys(spec: Any | None = None, prefix: str = "") -> list[str]:
    """Every fixed key path of the schema (``<name>`` stands for a key chosen by the user)."""
    spec = schema() if spec is None else spec
    if isinstance(spec, Section):
        return [p for key, sub in spec.fields.items() for p in [prefix + key, *known_keys(sub, prefix + key + ".")]]
    if isinstance(spec, MappingOf):
        return known_keys(spec.value, prefix + "<name>.")
    return []


def params_problems(document: Any, origin: str = "params.yaml", base_dir: Path = Path(".")) -> list[Problem]:
    """Every problem of the parameter ``document`` (empty if it is valid); see the module docstring."""
    problems = _walk(document, schema(), "")
    if problems and not isinstance(document, Mapping):
        return problems
    return problems + _parser_problems(document, {p.path.split(".")[0] for p in problems}, origin, base_dir)


def check_params(document: Any, origin: str = "params.yaml", base_dir: Path = Path(".")) -> None:
    """Raise one :class:`ParameterError` listing every problem of ``document``.

    Raises
    ------
    ParameterError
        If any key is unknown, missing, of the wrong type or out of its range; the message has
        one line per problem, each naming the full key path and what was expected.
    """
    problems = params_problems(document, origin, base_dir)
    if problems:
        lines = "\n".join(f"  - {p.message}" for p in problems)
        raise ParameterError(
            f"{origin}: {len(problems)} problem(s) in the parameters; nothing was run:\n{lines}\n"
            f"Fix {origin} (every key, its type and range: src/aoresearch/params_schema.py)."
        )


def check_params_file(path: str | Path = "params.yaml") -> None:
    """Read ``path`` and :func:`check_params` it.

    Raises
    ------
    ParameterError
        If the file is missing, is not YAML, or has any problem.
    """
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ParameterError(f"parameter file {path} does not exist.") from exc
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path} is not valid YAML: {exc}") from exc
    check_params(document, str(path), path.parent)


def _walk(value: Any, spec: Any, path: str) -> list[Problem]:
    where = path or "the top level"
    if value is None and spec.nullable:
        return []
    if isinstance(spec, Value):
        if spec.accepts(value):
            return []
        return [Problem(path, f"{where}: expected {spec.expected}, got {value!r}")]
    if isinstance(spec, ListOf):
        return _walk_list(value, spec, path)
    if not isinstance(value, Mapping):
        return [Problem(path, f"{where}: expected {spec.expected}, got {value!r}")]
    if isinstance(spec, MappingOf):
        if len(value) < spec.min_items:
            return [Problem(path, f"{where}: expected at least {spec.min_items} entry, got none")]
        return [p for key, item in value.items() for p in _walk(item, spec.value, _join(path, key))]
    problems = []
    for key, item in value.items():
        if str(key) in spec.fields:
            problems += _walk(item, spec.fields[str(key)], _join(path, key))
        else:
            problems.append(_unknown(path, str(key), spec))
    for key, sub in spec.fields.items():
        if sub.required and key not in value:
            problems.append(Problem(_join(path, key), f"missing key {_join(path, key)}: expected {sub.expected}"))
    return problems


def _walk_list(value: Any, spec: ListOf, path: str) -> list[Problem]:
    what = spec.expected
    if not isinstance(value, (list, tuple)):
        return [Problem(path, f"{path}: expected {what}, got {value!r}")]
    if (spec.length is not None and len(value) != spec.length) or len(value) < spec.min_items:
        return [Problem(path, f"{path}: expected {what}{' (at least one)' if spec.min_items else ''}, got {value!r}")]
    bad = [v for v in value if not spec.item.accepts(v)]
    if bad:
        return [Problem(path, f"{path}: expected {what}, got {value!r} ({', '.join(map(repr, bad))} not allowed)")]
    return []


def _unknown(path: str, key: str, spec: Section) -> Problem:
    full = _join(path, key)
    close = difflib.get_close_matches(key, list(spec.fields), n=1, cutoff=0.6)
    if close:
        return Problem(full, f"unknown key {full}; did you mean {_join(path, close[0])}?")
    return Problem(full, f"unknown key {full}; expected one of {sorted(spec.fields)} under {path or 'the top level'}")


def _plural(expected: str) -> str:
    """'an integer >= 1' -> 'integers >= 1', 'one of [...]' -> 'values from [...]'."""
    for single, many in (("an integer", "integers"), ("a number", "numbers"), ("a non-empty string", "non-empty strings"),
                         ("one of", "values from")):
        if expected.startswith(single):
            return many + expected[len(single):]
    return expected


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _parser_problems(document: Mapping[str, Any], dirty: set[str], origin: str, base_dir: Path) -> list[Problem]:
    """Run the section parsers on every section without problems; each adds at most its first."""
    calls: list[tuple[str, tuple[str, ...], Callable[[], Any]]] = [
        ("", ("seed", "data", "panel", "pilots"), lambda: parse_shared_sections(document, origin, base_dir)),
        ("factors", ("seed", "factors"), lambda: parse_factors_config(document["factors"], document["seed"])),
        ("impact", ("impact",), lambda: parse_impact_config(document["impact"], origin)),
        ("reports", ("reports",), lambda: parse_report_settings(document.get("reports"))),
        ("validation", ("validation",), lambda: parse_validation_settings(document.get("validation"), origin)),
    ]
    problems = [] if "pilots" in dirty or "panel" in dirty else _pilot_categories(document)
    for section, needs, parse in calls:
        if dirty.isdisjoint(needs):
            try:
                parse()
            except ParameterError as exc:
                problems.append(Problem(section, _without_origin(str(exc), origin)))
    return problems


def _without_origin(message: str, origin: str) -> str:
    for prefix in (f"{origin}: ", "params.yaml: "):
        message = message.removeprefix(prefix)
    return message


def _pilot_categories(document: Mapping[str, Any]) -> list[Problem]:
    """A pilot's category is one of the panels (keys of ``panel.categories``)."""
    panels = sorted(str(k) for k in document["panel"]["categories"])
    return [
        Problem(f"pilots.{key}.category", f"pilots.{key}.category: expected one of the panels {panels} "
                f"(keys of panel.categories), got {pilot['category']!r}")
        for key, pilot in (document.get("pilots") or {}).items()
        if str(pilot["category"]) not in panels
    ]

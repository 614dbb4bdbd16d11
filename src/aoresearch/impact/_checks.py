"""Boundary checks shared by the impact estimators: one ``raise`` per problem.

Messages name the argument or column, what was expected, what was received and, where one
exists, the next step.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from aoresearch.config import check_choice
from aoresearch.errors import NotFittedError, ParameterError, PanelStructureError

__all__ = [
    "check_choice",
    "check_int",
    "check_probability",
    "check_frame",
    "check_columns",
    "check_unique_keys",
    "check_numeric",
    "check_random_state",
    "check_fitted",
    "FittedAttributes",
    "format_list",
    "as_python",
]


def as_python(value: Any) -> Any:
    """A numpy scalar as the equivalent Python scalar (for readable messages and ids)."""
    return value.item() if isinstance(value, np.generic) else value


def format_list(values: Iterable[Any], limit: int = 5) -> str:
    """``[a, b, c]`` with at most ``limit`` items and a count of the rest."""
    values = list(values)
    shown = ", ".join(repr(as_python(v)) for v in values[:limit])
    more = f", ... ({len(values) - limit} more)" if len(values) > limit else ""
    return f"[{shown}{more}]"


def check_int(value: object, parameter: str, owner: str, minimum: int = 1) -> int:
    """Return ``value`` as ``int`` if it is an integer ``>= minimum``, else raise ParameterError."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ParameterError(
            f"The '{parameter}' parameter of {owner} must be an int >= {minimum}. Got {value!r} instead."
        )
    return int(value)


def check_probability(value: object, parameter: str, owner: str) -> float:
    """Return ``value`` if it is a real number strictly between 0 and 1, else raise ParameterError."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < 1:
        raise ParameterError(
            f"The '{parameter}' parameter of {owner} must be a number in (0, 1). Got {value!r} instead."
        )
    return float(value)


def check_random_state(value: object, owner: str) -> int | None:
    """Accept ``None`` or a non-negative int seed."""
    if value is None:
        return None
    return check_int(value, "random_state", owner, minimum=0)


def check_frame(panel: object, owner: str) -> pd.DataFrame:
    """Raise ParameterError unless ``panel`` is a non-empty DataFrame."""
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"{owner}: 'panel' must be a pandas DataFrame. Got {type(panel).__name__} instead.")
    if panel.empty:
        raise PanelStructureError(f"{owner}: 'panel' has no rows.")
    return panel


def check_columns(panel: pd.DataFrame, roles: dict[str, Hashable], owner: str, what: str = "panel") -> None:
    """Raise PanelStructureError for the first role whose column is missing from ``panel``.

    ``roles`` maps a role ("unit", "outcome", "predictor", ...) to the column name given for it;
    ``what`` names the table in the message.
    """
    for role, column in roles.items():
        if column not in panel.columns:
            raise PanelStructureError(
                f"{owner}: the {role} column {column!r} is not in the {what}; "
                f"columns are {format_list(panel.columns, limit=12)}."
            )


def check_unique_keys(panel: pd.DataFrame, unit: Hashable, time: Hashable, owner: str) -> None:
    """Raise PanelStructureError if a (unit, time) pair occurs more than once."""
    dupes = panel.loc[panel.duplicated([unit, time], keep=False), [unit, time]].drop_duplicates()
    if not dupes.empty:
        examples = dupes.head(3).to_dict("records")
        raise PanelStructureError(
            f"{owner}: ({unit}, {time}) keys are not unique, e.g. {examples}; "
            "keep one row per unit and period before fitting."
        )


def check_numeric(panel: pd.DataFrame, column: Hashable, role: str, owner: str) -> None:
    """Raise PanelStructureError unless ``column`` holds numbers."""
    if not pd.api.types.is_numeric_dtype(panel[column]) or pd.api.types.is_bool_dtype(panel[column]):
        raise PanelStructureError(
            f"{owner}: the {role} column {column!r} must be numeric. Got dtype {panel[column].dtype} instead."
        )


def check_sequence(value: object, parameter: str, owner: str) -> tuple:
    """Return a list/tuple/range/array/Index as a tuple; raise ParameterError for a bare string or scalar."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray, pd.Index, range)):
        raise ParameterError(
            f"The '{parameter}' parameter of {owner} must be a list. Got {value!r} instead."
        )
    return tuple(as_python(v) for v in value)


def check_fitted(estimator: object, attribute: str) -> None:
    """Raise NotFittedError if ``estimator`` has no fitted ``attribute``."""
    if attribute not in vars(estimator):
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments before using it."
        )


class FittedAttributes:
    """Mixin: reading a fitted attribute (listed in ``_fitted_attributes``) before ``fit`` raises
    :class:`~aoresearch.errors.NotFittedError` (an ``AttributeError``, so ``hasattr`` still works)."""

    _fitted_attributes: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._fitted_attributes:
            check_fitted(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

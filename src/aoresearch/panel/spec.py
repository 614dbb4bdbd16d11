"""``PanelSpec``: the structural contract of a region-year panel, checked once.

Features, models and impact estimators consume a panel that passed :meth:`PanelSpec.check`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aoresearch.config import Pilot
from aoresearch.errors import InsufficientDataError, PanelStructureError

__all__ = ["PanelSpec"]


@dataclass(frozen=True)
class PanelSpec:
    """What a region-year panel must satisfy.

    Parameters
    ----------
    columns : tuple of str
        Columns that must exist (besides ``unit`` and ``time``).
    years : range
        Years that must appear in the panel (for at least one region each).
    pilots : tuple of Pilot
        Pilot regions that must be present.
    min_pre_years : int
        Years each pilot needs before its adoption year.
    outcome : str or None
        If given, pre-adoption years count only where this column is observed.
    unit, time : str
        Key columns.
    """

    columns: tuple[str, ...] = ()
    years: range | None = None
    pilots: tuple[Pilot, ...] = ()
    min_pre_years: int = 5
    outcome: str | None = None
    unit: str = "region"
    time: str = "year"

    def check(self, panel: pd.DataFrame, name: str = "panel") -> pd.DataFrame:
        """Return ``panel`` unchanged if it meets the spec.

        Raises
        ------
        PanelStructureError
            Missing columns, duplicated (region, year) keys, or missing years.
        InsufficientDataError
            A pilot region absent or with fewer than ``min_pre_years`` pre-adoption years.
        """
        self._check_columns(panel, name)
        self._check_keys(panel, name)
        self._check_years(panel, name)
        for pilot in self.pilots:
            self._check_pilot(panel, pilot, name)
        return panel

    def _check_columns(self, panel: pd.DataFrame, name: str) -> None:
        missing = [c for c in (self.unit, self.time, *self.columns) if c not in panel.columns]
        if missing:
            raise PanelStructureError(f"{name}: missing columns {missing}.")

    def _check_keys(self, panel: pd.DataFrame, name: str) -> None:
        dupes = panel[panel.duplicated([self.unit, self.time], keep=False)]
        if not dupes.empty:
            examples = dupes[[self.unit, self.time]].drop_duplicates().head(3).to_dict("records")
            raise PanelStructureError(f"{name}: ({self.unit}, {self.time}) keys are not unique, e.g. {examples}.")

    def _check_years(self, panel: pd.DataFrame, name: str) -> None:
        if self.years is None:
            return
        missing = sorted(set(self.years) - set(panel[self.time].unique()))
        if missing:
            raise PanelStructureError(f"{name}: years {missing} have no rows; expected every year in {self.years.start}-{self.years.stop - 1}.")

    def _check_pilot(self, panel: pd.DataFrame, pilot: Pilot, name: str) -> None:
        rows = panel[panel[self.unit] == pilot.region]
        if rows.empty:
            raise InsufficientDataError(
                f"{name}: pilot '{pilot.key}' (region {pilot.region}, {pilot.name}) has no rows; "
                f"check its region id and category '{pilot.category}' in params.yaml."
            )
        if self.outcome is not None:
            rows = rows[rows[self.outcome].notna()]
        pre = rows[rows[self.time] < pilot.adoption_year]
        if len(pre) < self.min_pre_years:
            what = f" with '{self.outcome}' observed" if self.outcome else ""
            raise InsufficientDataError(
                f"{name}: pilot '{pilot.key}' (region {pilot.region}) has {len(pre)} years{what} before "
                f"the adoption year {pilot.adoption_year}; the pre-period needs at least {self.min_pre_years}."
            )

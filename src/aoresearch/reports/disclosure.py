"""Statistical disclosure control for everything shown outside the research team.

Three rules (issue 6):

1. never show a count between 1 and 5: show ``"<6"`` or a rate;
2. never present an imputed cell (a suppressed small count filled in by the panel) as observed;
3. do not show regions below a minimum number of children individually.

Tables for funders are emitted by :func:`disclosure_table`, which applies the rules and tags
every cell with ``data-kind`` (``count``, ``rate``, ``text``) and ``data-imputed``, so
:func:`check_html_disclosure` can verify a rendered report without trusting its author. Counts
quoted in running text go through :func:`count_html`, which carries the same tags.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Hashable, Iterable, Literal, Mapping

import pandas as pd

from aoresearch.errors import ParameterError
from aoresearch.reports.i18n import format_number, t

__all__ = [
    "SMALL_COUNT_LOW",
    "SMALL_COUNT_HIGH",
    "DISCLOSURE_CLASS",
    "CellKind",
    "is_small_count",
    "mask_small_counts",
    "format_count",
    "format_rate",
    "count_html",
    "small_regions",
    "suppress_small_regions",
    "disclosure_table",
    "check_html_disclosure",
]

SMALL_COUNT_LOW = 1
SMALL_COUNT_HIGH = 5
DISCLOSURE_CLASS = "ao-disclosure"
CellKind = Literal["count", "rate", "text"]


def is_small_count(value: object, low: int = SMALL_COUNT_LOW, high: int = SMALL_COUNT_HIGH) -> bool:
    """True if ``value`` lies in ``(low - 1, high + 1)``: the counts low-high and any filled-in value between."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return not math.isnan(number) and low - 1 < number < high + 1


def mask_small_counts(frame: pd.DataFrame, columns: Iterable[str], low: int = 1, high: int = 5) -> pd.DataFrame:
    """Replace counts between ``low`` and ``high`` with the string ``"<{high + 1}"``.

    Parameters
    ----------
    frame : DataFrame
        Any table holding counts.
    columns : iterable of str
        Count columns to mask; other columns are returned unchanged.
    low, high : int
        Smallest and largest count that must not be shown (1 and 5: Sotkanet's rule).
        Non-integer values strictly between ``low - 1`` and ``high + 1`` (a filled-in 2.5)
        are masked too.

    Returns
    -------
    DataFrame, same shape as ``frame``
        A copy; masked columns have object dtype.

    Raises
    ------
    ParameterError
        If a column is missing or ``low > high``.
    """
    if low > high:
        raise ParameterError(f"mask_small_counts: low ({low}) must not exceed high ({high}).")
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"mask_small_counts: columns {missing} are not in the frame; it has {list(frame.columns)}.")
    out = frame.copy()
    for column in columns:
        values = out[column].astype(object)
        small = values.map(lambda v: is_small_count(v, low, high)).astype(bool)
        out[column] = values.where(~small, f"<{high + 1}")
    return out


def format_count(value: float, lang: str, imputed: bool = False, small_count_max: int = SMALL_COUNT_HIGH) -> str:
    """Text of a count for a funder: ``"<6"`` if small or imputed (suppressed 0-5), else whole number.

    ``small_count_max`` is the largest count not shown (``reports.small_count_max``).
    """
    if imputed or is_small_count(value, SMALL_COUNT_LOW, small_count_max):
        return f"<{small_count_max + 1}"
    return format_number(value, lang, digits=0)


def format_rate(value: float, lang: str, imputed: bool = False, digits: int = 1) -> str:
    """Text of a rate for a funder: the imputed label if it rests on a filled-in count."""
    return t("imputed_cell", lang) if imputed else format_number(value, lang, digits)


def count_html(value: float, lang: str, imputed: bool = False, small_count_max: int = SMALL_COUNT_HIGH) -> str:
    """A count for running text, tagged so :func:`check_html_disclosure` can check it."""
    return _cell("span", format_count(value, lang, imputed, small_count_max), "count", imputed)


def small_regions(frame: pd.DataFrame, min_children: float, children: str = "children_0_17",
                  region: str = "region") -> list:
    """Regions with fewer than ``min_children`` children in any of their rows (or no count at all).

    The smallest count over the rows is used, so a region that was small in any year shown
    is treated as small.

    Raises
    ------
    ParameterError
        If ``children`` or ``region`` is not a column, or ``min_children`` is negative.
    """
    if min_children < 0:
        raise ParameterError(f"The 'reports.min_children' parameter must be >= 0. Got {min_children!r} instead.")
    missing = [c for c in (children, region) if c not in frame.columns]
    if missing:
        raise ParameterError(f"small_regions: columns {missing} are not in the frame; pass children= and region=.")
    smallest = frame.groupby(region)[children].min()
    return sorted(smallest.index[~(smallest >= min_children)].tolist())


def suppress_small_regions(frame: pd.DataFrame, min_children: float, children: str = "children_0_17",
                           region: str = "region") -> pd.DataFrame:
    """Drop every row of the regions returned by :func:`small_regions`.

    Returns
    -------
    DataFrame
        The rows of the remaining regions, in the original order.
    """
    return frame[~frame[region].isin(small_regions(frame, min_children, children, region))]


@dataclass(frozen=True)
class _Table:
    """Per-cell kinds of a display table (rows x columns)."""

    row_kinds: Mapping[Hashable, CellKind] = field(default_factory=dict)
    column_kinds: Mapping[Hashable, CellKind] = field(default_factory=dict)

    def kind(self, row: Hashable, column: Hashable) -> CellKind:
        return self.row_kinds.get(row) or self.column_kinds.get(column) or "rate"


def disclosure_table(
    values: pd.DataFrame,
    lang: str,
    *,
    row_kinds: Mapping[Hashable, CellKind] | None = None,
    column_kinds: Mapping[Hashable, CellKind] | None = None,
    imputed: pd.DataFrame | None = None,
    groups: Mapping[Hashable, str] | None = None,
    column_children: Mapping[Hashable, float] | None = None,
    row_children: Mapping[Hashable, float] | None = None,
    caption: str | None = None,
    digits: int = 1,
    small_count_max: int = SMALL_COUNT_HIGH,
) -> str:
    """HTML table with the disclosure rules applied and every cell tagged for checking.

    Parameters
    ----------
    values : DataFrame, shape (n_rows, n_columns)
        Numbers to show; the index gives row labels, the columns give column headers.
    lang : {"en", "fi"}
        Number format and labels.
    row_kinds, column_kinds : mapping, optional
        ``"count"``, ``"rate"`` or ``"text"`` per row or column label; a row's kind wins;
        the default is ``"rate"``. Counts 1-5 show as ``"<6"``.
    imputed : DataFrame of bool, optional
        Same labels as ``values``; True where the cell rests on a filled-in suppressed count.
        Imputed counts show as ``"<6"``, imputed rates as the "suppressed" label.
    groups : mapping, optional
        Row label to group heading; a heading row is inserted where the group changes.
    column_children : mapping, optional
        Number of children per column (a region); written as ``data-children`` on the
        header so the checker can verify the minimum region size.
    row_children : mapping, optional
        Number of children per row (a region), written the same way on the row header.
    caption : str, optional
    digits : int
        Decimals of rates.
    small_count_max : int
        Counts from 1 to this value show as ``"<{small_count_max + 1}"`` (``reports.small_count_max``).

    Returns
    -------
    str
        ``<table class="ao-disclosure">...</table>``.
    """
    kinds = _Table(row_kinds or {}, column_kinds or {})
    header = "".join(_header_cell(c, column_children) for c in values.columns)
    rows, group = [], None
    for label in values.index:
        if groups and groups.get(label) != group:
            group = groups.get(label)
            rows.append(f'<tr class="ao-group"><th colspan="{len(values.columns) + 1}">{html.escape(str(group))}</th></tr>')
        cells = "".join(
            _value_cell(values.at[label, c], kinds.kind(label, c), _flag(imputed, label, c), lang, digits,
                        small_count_max)
            for c in values.columns
        )
        size = ""
        if row_children is not None and label in row_children:
            size = f' data-children="{float(row_children[label]):.0f}"'
        rows.append(f'<tr><th scope="row"{size}>{html.escape(str(label))}</th>{cells}</tr>')
    head = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="{DISCLOSURE_CLASS}">{head}<thead><tr><th></th>{header}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>'
    )


def _flag(imputed: pd.DataFrame | None, row: Hashable, column: Hashable) -> bool:
    if imputed is None or row not in imputed.index or column not in imputed.columns:
        return False
    return bool(imputed.at[row, column])


def _header_cell(column: Hashable, children: Mapping[Hashable, float] | None) -> str:
    size = ""
    if children is not None and column in children:
        size = f' data-children="{float(children[column]):.0f}"'
    return f'<th scope="col"{size}>{html.escape(str(column))}</th>'


def _value_cell(value: object, kind: CellKind, imputed: bool, lang: str, digits: int,
                small_count_max: int = SMALL_COUNT_HIGH) -> str:
    if kind == "count":
        text = format_count(value, lang, imputed, small_count_max)  # type: ignore[arg-type]
    elif kind == "rate":
        text = format_rate(value, lang, imputed, digits)  # type: ignore[arg-type]
    else:
        text = "" if value is None else str(value)
    return _cell("td", text, kind, imputed)


def _cell(tag: str, text: str, kind: CellKind, imputed: bool) -> str:
    flag = ' data-imputed="true"' if imputed else ""
    css = ' class="ao-imputed"' if imputed else ""
    return f'<{tag} data-kind="{kind}"{flag}{css}>{html.escape(text)}</{tag}>'


# ---------------------------------------------------------------------------------------------
# Checking rendered HTML


@dataclass
class _Element:
    tag: str
    attrs: dict
    text: str = ""


class _Collector(HTMLParser):
    """Collects tables (with their class) and every element carrying ``data-kind``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.tagged: list[_Element] = []
        self.headers: list[_Element] = []
        self._open: list[_Element] = []
        self.language = "en"

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {k: (v or "") for k, v in attrs}
        if tag == "html" and attributes.get("lang", "").startswith("fi"):
            self.language = "fi"
        if tag == "table":
            self.tables.append(attributes)
        element = _Element(tag, attributes)
        if "data-kind" in attributes:
            self.tagged.append(element)
        if tag == "th" and "data-children" in attributes:
            self.headers.append(element)
        if "data-kind" in attributes or (tag == "th" and "data-children" in attributes):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def check_html_disclosure(document: str, min_children: float | None = None, lang: str | None = None,
                          small_count_max: int = SMALL_COUNT_HIGH) -> list[str]:
    """List the disclosure violations in a rendered report (empty list: none found).

    Checks
    ------
    - every ``<table>`` was emitted by :func:`disclosure_table` (class ``ao-disclosure``);
      other tables (a displayed DataFrame, a Markdown table) cannot be checked and are reported;
    - no element tagged ``data-kind="count"`` shows a number between 1 and 5;
    - no element tagged ``data-imputed="true"`` shows a number (only ``"<6"`` or a label);
    - with ``min_children``, no region column has ``data-children`` below it.

    Parameters
    ----------
    document : str
        The HTML of a report.
    min_children : float, optional
        Minimum number of children of a region shown individually.
    lang : {"en", "fi"}, optional
        Number format of the document; by default read from ``<html lang>`` (else English).
    small_count_max : int
        Largest count that must not be shown.

    Returns
    -------
    list of str
        One message per violation.
    """
    collector = _Collector()
    collector.feed(document)
    problems = [
        f"table {n} (class {attrs.get('class', '')!r}) was not emitted by disclosure_table(); it cannot be checked"
        for n, attrs in enumerate(collector.tables, 1)
        if DISCLOSURE_CLASS not in attrs.get("class", "").split()
    ]
    for element in collector.tagged:
        problems.extend(_cell_problems(element, lang or collector.language, small_count_max))
    if min_children is not None:
        problems.extend(
            f"region {h.text.strip()!r} has {h.attrs['data-children']} children, below {min_children:g}"
            for h in collector.headers
            if float(h.attrs["data-children"]) < min_children
        )
    return problems


def _cell_problems(element: _Element, lang: str, small_count_max: int = SMALL_COUNT_HIGH) -> list[str]:
    text = element.text.strip()
    numbers = _numbers(text, lang)
    problems = []
    if element.attrs.get("data-kind") == "count" and any(is_small_count(n, SMALL_COUNT_LOW, small_count_max) for n in numbers):
        problems.append(f"a count cell shows a small count: {text!r}")
    if element.attrs.get("data-imputed") == "true" and text != f"<{small_count_max + 1}" and numbers:
        problems.append(f"an imputed cell is shown as a number: {text!r}")
    return problems


def _numbers(text: str, lang: str) -> list[float]:
    """Numbers in ``text`` written in ``lang``'s format (en ``1,234.5``; fi ``1 234,5``)."""
    cleaned = re.sub(r"(?<=\d)[ \u202f\u00a0](?=\d{3}\b)", "", text).replace("−", "-")
    if lang == "fi":
        tokens = [tok.replace(",", ".") for tok in re.findall(r"-?\d+(?:,\d+)?", cleaned)]
    else:
        tokens = [tok.replace(",", "") for tok in re.findall(r"-?\d[\d,]*(?:\.\d+)?", cleaned)]
    return [float(tok) for tok in tokens if tok.strip("-")]

"""Region-year panels built from raw long data, and their structural contract."""

from aoresearch.panel.build import KEY_COLUMNS, build_panel
from aoresearch.panel.spec import PanelSpec

__all__ = ["build_panel", "PanelSpec", "KEY_COLUMNS"]

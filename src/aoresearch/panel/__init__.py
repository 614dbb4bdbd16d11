"""Region-year panels built from raw long data, their structural contract and their files."""

from aoresearch.panel.build import KEY_COLUMNS, build_panel
from aoresearch.panel.files import Panel, read_panel, read_panel_or_none, read_panel_summaries, write_panel
from aoresearch.panel.spec import PanelSpec

__all__ = ["build_panel", "PanelSpec", "KEY_COLUMNS", "Panel", "read_panel", "read_panel_or_none",
           "read_panel_summaries", "write_panel"]

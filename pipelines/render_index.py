"""DVC stage `report_index`: the index page linking every report, each with its opening sentence.

Usage: python pipelines/render_index.py [--reports reports]
reads reports/executed/<name>.ipynb for situation_room, risk_factors and impact_<pilot> (every
pilot in params.yaml) and writes reports/html/index.html. A report not rendered yet is listed
without a link. The data-validation section comes from data/validation/{raw,panels}.json and
links the Data Docs in reports/validation/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _entry import run

from aoresearch.config import load_params
from aoresearch.reports.pooled import pooled_index_html, read_pooled
from aoresearch.reports import is_synthetic, read_panel_summaries, read_provenance, t
from aoresearch.reports.dating import report_basis
from aoresearch.reports.index import IndexEntry, lead_of_notebook, write_index
from aoresearch.reports.validation_index import validation_index_html
from aoresearch.validation.summary_file import VALIDATED_TABLES, read_validation_summary


def entries(reports: Path, params, lang: str) -> list[IndexEntry]:
    """Index entries in reading order: situation room, impact per pilot, risk factors."""
    names = [("situation_room", "situation_room", {})]
    names += [(f"impact_{p.key}", "impact", {"region": p.name}) for p in params.pilots]
    names += [("risk_factors", "risk_factors", {})]
    out = []
    for name, key, words in names:
        executed = reports / "executed" / f"{name}.ipynb"
        # A report stage moves its executed notebook into place only once its HTML is rendered
        # (aoresearch.reports.render), so the notebook (a dependency in dvc.yaml) stands for both.
        available = executed.is_file()
        out.append(IndexEntry(t(f"{key}.title", lang, **words), f"{name}.html", t(f"{key}.description", lang, **words),
                              lead_of_notebook(executed) if available else None, available))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--data", type=Path, default=Path("data"))
    args = parser.parse_args(argv)
    params = load_params(args.params)
    lang = params.reports.language
    provenance = read_provenance(args.data / "raw")
    synthetic = is_synthetic(provenance, read_panel_summaries(args.data / "panel"))
    impact = params.impact
    pooled = pooled_index_html(read_pooled(args.data / "impact_pooled"), impact.headline_outcome, lang, impact.alpha)
    validation = validation_index_html({what: read_validation_summary(args.data / "validation", what)
                                        for what in VALIDATED_TABLES}, lang, args.reports / "html")
    write_index(entries(args.reports, params, lang), args.reports / "html" / "index.html", lang, synthetic, pooled,
                generated=report_basis(provenance, lang), validation=validation)
    return 0


if __name__ == "__main__":
    run(main)

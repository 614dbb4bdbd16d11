"""DVC stages `report_*`: execute a report notebook with papermill and render its HTML for funders.

Usage:
  python pipelines/render_report.py situation_room
  python pipelines/render_report.py impact --pilot tampere
  python pipelines/render_report.py risk_factors
write reports/executed/<name>.ipynb (for researchers) and reports/html/<name>.html (code hidden),
where <name> is situation_room, impact_<pilot> or risk_factors. A missing input is named in the
report, never a crash; panels that did not pass validate_panels (no success marker, or changed
since) stop the stage before anything is rendered.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from _entry import run

from aoresearch.config import load_params
from aoresearch.reports import kernel, pilot_records, render_notebook, t
from aoresearch.validation.gate import PANELS_MARKER, panel_files, panels_gate, require_validated

KERNEL = "aoresearch"
NOTEBOOKS = {
    "situation_room": "notebooks/situation_room.ipynb",
    "impact": "notebooks/impact_evaluation.ipynb",
    "risk_factors": "notebooks/risk_factors.ipynb",
}
# The report's own modules, imported by the kernel while papermill is imported here (aoresearch.reports.kernel).
PRELOAD = {
    "situation_room": ("aoresearch.reports.situation", "aoresearch.reports.parallel"),
    "impact": ("aoresearch.reports.impact", "aoresearch.reports.pooled"),
    "risk_factors": ("aoresearch.reports.factors", "aoresearch.reports.forecast_targets"),
}


def report_parameters(report: str, args: argparse.Namespace, params) -> tuple[str, dict, dict]:
    """(output name, papermill parameters, title keywords) of one report."""
    settings = params.reports
    data = args.data.resolve()
    common = {"language": settings.language, "min_children": settings.min_children,
              "pilots": pilot_records(params.pilots), "panel_dir": str(data / "panel"), "raw_dir": str(data / "raw")}
    if report == "impact":
        pilot = params.pilot(args.pilot) if args.pilot else None
        if pilot is None:
            raise SystemExit("error: the impact report needs --pilot KEY (a key under 'pilots' in params.yaml)")
        return (f"impact_{pilot.key}",
                {**common, "pilot": pilot.key, "impact_dir": str(data / "impact"), "metrics_dir": str(args.metrics.resolve()),
                 "headline_outcome": params.impact.headline_outcome, "covid_years": list(params.impact.covid_years)},
                {"region": pilot.name})
    if report == "risk_factors":
        return report, {**common, "factors_dir": str(data / "factors"), "figures_dir": str(args.figures.resolve()),
                        "headline_outcome": params.impact.headline_outcome}, {}
    return report, {**common, "scenarios_path": str(data / "factors" / "scenarios.parquet"),
                    "small_count_max": settings.small_count_max}, {}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", choices=sorted(NOTEBOOKS), help="which report to render")
    parser.add_argument("--pilot", help="pilot key (impact report only)")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--data", type=Path, default=Path("data"), help="folder holding raw/, panel/, impact/, factors/")
    parser.add_argument("--metrics", type=Path, default=Path("metrics"))
    parser.add_argument("--out", type=Path, default=Path("reports"), help="writes <out>/html and <out>/executed")
    parser.add_argument("--figures", type=Path, default=Path("reports/figures/factors"),
                        help="PNG figures of the forecast stage (risk_factors report)")
    parser.add_argument("--notebooks", type=Path, default=Path("."), help="folder holding notebooks/")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per notebook cell")
    parser.add_argument("--validated", type=Path, default=Path(PANELS_MARKER), help="validate_panels' success marker")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    if args.report == "impact" and args.pilot and params.pilot(args.pilot) is not None:
        read = [c for c in (params.pilot(args.pilot).category, "country") if c in params.panel.categories]
    else:
        read = list(params.panel.categories)
    panels = panel_files(*read)  # only the panels this report reads
    require_validated(panels_gate(args.data / "panel", args.validated, args.metrics / "validation_panels.json"), panels)
    lang = params.reports.language
    name, parameters, words = report_parameters(args.report, args, params)
    key = "impact" if args.report == "impact" else args.report
    cwd = (args.notebooks / "notebooks").resolve()
    # Paths relative to the kernel's working directory: the executed notebook is the same
    # wherever the repository is checked out.
    parameters = {k: os.path.relpath(v, cwd) if k.endswith(("_dir", "_path")) else v for k, v in parameters.items()}
    render_notebook(
        args.notebooks / NOTEBOOKS[args.report], parameters, args.out / "executed" / f"{name}.ipynb",
        args.out / "html" / f"{name}.html", kernel_name=KERNEL, timeout=args.timeout,
        title=t(f"{key}.title", lang, **words), description=t(f"{key}.description", lang, **words), language=lang,
        cwd=cwd, preload=kernel.PRELOAD + PRELOAD[args.report],
    )
    return 0


if __name__ == "__main__":
    run(main)

"""DVC stages `validate_raw` and `validate_panels`: Great Expectations on data/raw or data/panel.

    python pipelines/validate.py raw      # data/raw -> reports/validation/raw/, metrics/validation_raw.json, data/validation/raw.json, data/validated/raw.json
    python pipelines/validate.py panels   # data/panel -> reports/validation/panels/, metrics/validation_panels.json, data/validation/panels.json, data/validated/panels.json
    python pipelines/validate.py suites   # save suites, validation definitions, checkpoints into gx/ (demo data; `make suites`)
    python pipelines/validate.py suites --reset   # the same, dropping hand edits of the stored suites

The stages run the checkpoints stored in gx/ (a missing one is an error naming `make suites`),
each suite as the rules render it for params.yaml, except expectations edited or added by hand
in gx/expectations/*.json: those run as stored and are logged and listed in the summary JSON
(see gx/README.md). The checkpoints run in `validation.n_jobs` processes (params.yaml, default 2;
1: in this process); Data Docs are built once, after them, and no output depends on it.

A critical failure exits 1 with `error: ...` naming the expectation, table, column and offending
rows; warnings are logged, counted in the metrics JSON and listed in the summary JSON. The success marker (`--marker`), which
every consumer of the data checks, is removed first and written only when no critical
expectation failed.
"""

from __future__ import annotations

import argparse

from _entry import run  # first: it may restart the interpreter (PYTHONHASHSEED) and checks params.yaml

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.panel.files import read_panel
from aoresearch.sources.raw import read_raw
from aoresearch.validation import (
    load_site_config,
    panel_files,
    panel_targets,
    panels_gate,
    publish,
    raw_gate,
    raw_targets,
    revoke,
    validate_panels,
    validate_raw,
    validation_config,
    write_metrics,
    write_suites,
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["raw", "panels", "suites"])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--gx", default="gx", help="Great Expectations context folder")
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--panels", default="data/panel")
    parser.add_argument("--docs", default=None, help="Data Docs folder (default: the site's folder in gx/great_expectations.yml)")
    parser.add_argument("--metrics", default=None, help="headline counts JSON (default: metrics/validation_<what>.json)")
    parser.add_argument("--summary", default=None, help="counts and every warning (default: data/validation/<what>.json)")
    parser.add_argument("--marker", default=None, help="success marker (default: data/validated/<what>.json)")
    parser.add_argument("--reset", action="store_true", help="suites: drop hand edits and hand-added expectations of the stored suites")
    args = parser.parse_args(argv)
    params, catalogue = load_params(args.params), load_catalogue(args.catalogue)
    config = validation_config(params)
    if args.what == "suites":
        return _write_suites(args, params, catalogue, config)
    site = load_site_config(args.gx, args.what, args.docs)
    docs = site.folder.as_posix()
    metrics = args.metrics or f"metrics/validation_{args.what}.json"
    marker = args.marker or f"data/validated/{args.what}.json"
    gate = raw_gate(args.raw, marker, metrics) if args.what == "raw" else panels_gate(args.panels, marker, metrics)
    revoke(gate)
    if args.what == "raw":
        raw = read_raw(args.raw)
        report, synthetic, files = validate_raw(raw, catalogue, config, site, source=args.raw), raw.is_synthetic, None
    else:
        read = {name: read_panel(args.panels, name, spec=None) for name in config.categories}  # checked by the suites
        report = validate_panels({name: p.frame for name, p in read.items()}, catalogue, config, site, source=args.panels)
        synthetic = any(p.synthetic for p in read.values())
        files = panel_files(*config.categories)
    write_metrics(report, synthetic, metrics, args.summary or f"data/validation/{args.what}.json")
    publish(gate, report, files)
    report.raise_for_critical(docs)
    return 0


def _write_suites(args, params, catalogue, config) -> int:
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.ingest import ingest

    raw = ingest(params, catalogue)
    panels = [t for name in config.categories for t in panel_targets(name, make_panel(raw, catalogue, params, name), catalogue, config)]
    groups = {"raw": raw_targets(raw, catalogue, config), "panels": panels}
    for path in write_suites(groups, args.gx, config.examples, reset=args.reset):
        print(path)
    return 0


if __name__ == "__main__":
    run(main)

"""The stylesheet shared by rendered reports and the index page (inlined: no external files)."""

__all__ = ["REPORT_CSS"]

REPORT_CSS = """
body.ao-report, body.jp-Notebook {
  font-family: "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif;
  font-size: 16px; line-height: 1.5; color: #1f1f1f; background: #ffffff;
}
body.ao-report main, body.jp-Notebook main { max-width: 1120px; margin: 0 auto; padding: 1.2em 1.5em 3em; }
.jp-RenderedHTMLCommon { font-family: inherit; font-size: 16px; line-height: 1.5; padding-right: 0; }
.jp-OutputArea-output, .jp-Cell { padding: 0; }
.jp-Cell { margin: 0; }
.jp-OutputArea-child, .jp-OutputArea-output { display: block; width: 100%; overflow: visible; }
.jp-Cell:has(.ao-synthetic-banner) { position: sticky; top: 0; z-index: 10; background: #ffffff; padding-top: 0.4em; }
.jp-OutputArea-output img { max-width: 100%; height: auto; display: block; margin: 0.4em 0 1.2em; }
.ao-report h1, .jp-RenderedHTMLCommon h1 { font-size: 1.9em; margin: 0.6em 0 0.2em; line-height: 1.25; }
.ao-report h2, .jp-RenderedHTMLCommon h2 {
  font-size: 1.4em; margin: 1.6em 0 0.5em; padding-top: 0.4em; border-top: 1px solid #dddddd;
}
.ao-report h3, .jp-RenderedHTMLCommon h3 { font-size: 1.25em; font-weight: 600; margin: 1.6em 0 0.2em; }
.jp-RenderedHTMLCommon p, .ao-report p { max-width: 52em; margin: 0.4em 0 0.8em; }
.ao-subtitle { color: #555555; margin-top: 0; }
.ao-summary { background: #f3f7fb; border-left: 5px solid #0072B2; padding: 0.8em 1.2em; margin: 0.8em 0 1.2em; }
.ao-summary .ao-lead { font-size: 1.15em; font-weight: 600; }
.ao-summary ul { margin: 0.3em 0 0.6em 1.2em; padding: 0; }
.ao-summary li { margin: 0.35em 0; }
.ao-caution, .ao-note { color: #444444; font-size: 0.95em; }
table.ao-disclosure {
  border-collapse: collapse; margin: 0.6em 0 0.4em; font-size: 0.92em; width: 100%; table-layout: auto !important;
}
table.ao-disclosure thead th:first-child { width: 34%; }
table.ao-disclosure caption { text-align: left; font-weight: 600; padding-bottom: 0.4em; caption-side: top; }
table.ao-disclosure th, table.ao-disclosure td {
  padding: 0.35em 0.6em; border-bottom: 1px solid #e4e4e4; text-align: right; vertical-align: top;
}
table.ao-disclosure th[scope="row"] { text-align: left; font-weight: normal; }
table.ao-disclosure td { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.ao-disclosure thead th { border-bottom: 2px solid #999999; vertical-align: bottom; }
table.ao-disclosure tr.ao-group th { text-align: left; background: #f5f5f5; font-weight: 600; padding-top: 0.6em; }
table.ao-disclosure td.ao-imputed { color: #777777; font-style: italic; }
.jp-RenderedHTMLCommon table.ao-disclosure tbody tr:nth-child(odd) { background: transparent; }
.jp-RenderedHTMLCommon table.ao-disclosure tbody tr:hover { background: #fafafa; }
.ao-narrow { max-width: 32em; }
.ao-narrow table.ao-disclosure thead th:first-child { width: auto; }
.ao-provenance { max-width: 52em; }
.ao-provenance table.ao-disclosure thead { display: none; }
.ao-provenance table.ao-disclosure th[scope="row"] { font-weight: 600; width: 12em; }
.ao-provenance table.ao-disclosure td { text-align: left; white-space: normal; }
.ao-missing { color: #8a4b00; }
.ao-footnotes { font-size: 0.88em; color: #555555; }
ul.ao-index { list-style: none; padding: 0; }
ul.ao-index li { margin: 1em 0; padding: 0.8em 1em; border: 1px solid #dddddd; border-radius: 4px; }
ul.ao-index a { font-size: 1.2em; font-weight: 600; }
.ao-foot { color: #777777; font-size: 0.9em; margin-top: 2em; }
@media print {
  .jp-Cell:has(.ao-synthetic-banner) { position: static; }
  .ao-synthetic-banner { position: static !important; }
}
"""
